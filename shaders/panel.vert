#version 330 core
#include "quad.glsl"
#include "display_common.glsl"
// One instance per panel: a quad grown by one pixel so the anti-aliased edge fits.
in vec4 i_rect;       // x0, y0, x1, y1 (display px)
in vec2 i_shape;      // corner radius, border width
in vec3 i_fill;
in vec3 i_border;
out vec2 v_local;     // position relative to the panel centre, px
flat out vec2 v_half;
flat out vec2 v_shape;
flat out vec3 v_fill;
flat out vec3 v_border;
void main() {
    vec2 corner = quad_corner();
    vec2 lo = i_rect.xy - 1.0;
    vec2 hi = i_rect.zw + 1.0;
    vec2 px = mix(lo, hi, corner);
    v_half = (i_rect.zw - i_rect.xy) * 0.5;
    v_local = px - (i_rect.xy + i_rect.zw) * 0.5;
    v_shape = i_shape;
    v_fill = i_fill;
    v_border = i_border;
    gl_Position = display_px_to_ndc(px);
}
