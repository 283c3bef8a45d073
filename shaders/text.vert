#version 330 core
#include "quad.glsl"
#include "display_common.glsl"
// One instance per glyph: a quad over the glyph's signed-distance field in the atlas.
uniform vec2 u_atlas_size;
in vec4 i_rect;    // x0, y0, x1, y1 (display px), the field's padding included
in vec4 i_uv;      // atlas rectangle in texels: x, y, w, h
in vec3 i_rgb;
in float i_scale;  // display px per atlas texel (size_px / the atlas's base size)
out vec2 v_uv;
flat out vec3 v_rgb;
flat out float v_scale;
void main() {
    vec2 corner = quad_corner();
    vec2 px = mix(i_rect.xy, i_rect.zw, corner);
    v_uv = (i_uv.xy + corner * i_uv.zw) / u_atlas_size;
    v_rgb = i_rgb;
    v_scale = i_scale;
    gl_Position = display_px_to_ndc(px);
}
