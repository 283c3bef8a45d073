#version 330 core
#include "quad.glsl"
#include "display_common.glsl"
// One instance per line segment, drawn as a capsule.
in vec4 i_ends;   // x0, y0, x1, y1 (display px)
in float i_width;
in vec3 i_rgb;
out vec2 v_px;
flat out vec4 v_ends;
flat out float v_width;
flat out vec3 v_rgb;
void main() {
    vec2 a = i_ends.xy;
    vec2 b = i_ends.zw;
    vec2 dir = length(b - a) > 1e-4 ? normalize(b - a) : vec2(1.0, 0.0);
    vec2 nrm = vec2(-dir.y, dir.x);
    float h = i_width * 0.5 + 1.0;
    vec2 corner = quad_corner();
    vec2 px = mix(a - dir * h, b + dir * h, corner.x) + nrm * mix(-h, h, corner.y);
    v_px = px;
    v_ends = i_ends;
    v_width = i_width;
    v_rgb = i_rgb;
    gl_Position = display_px_to_ndc(px);
}
