#version 330 core
#include "display_common.glsl"
// Signed distance field to coverage. The atlas stores 128 on the outline, higher inside,
// u_spread texels of distance per 128 codes; the glyph is drawn at v_scale display px per
// texel (text is axis-aligned and unrotated on the display, so this is exact where fwidth
// would only estimate it). Coverage is the box filter of a straight edge one display
// pixel wide: crisp from 9 px to 100 px text with no per-size tuning.
uniform sampler2D u_atlas;
uniform float u_spread;
in vec2 v_uv;
flat in vec3 v_rgb;
flat in float v_scale;
out vec4 f_color;
void main() {
    float code = texture(u_atlas, v_uv).r * 255.0;
    float dist_px = (code - 128.0) * (u_spread / 128.0) * v_scale;
    float coverage = clamp(dist_px + 0.5, 0.0, 1.0);
    f_color = vec4(device_colour(v_rgb), coverage);
}
