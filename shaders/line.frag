#version 330 core
#include "display_common.glsl"
in vec2 v_px;
flat in vec4 v_ends;
flat in float v_width;
flat in vec3 v_rgb;
out vec4 f_color;
void main() {
    vec2 pa = v_px - v_ends.xy;
    vec2 ba = v_ends.zw - v_ends.xy;
    float t = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-6), 0.0, 1.0);
    float d = length(pa - ba * t) - v_width * 0.5;
    f_color = vec4(device_colour(v_rgb), clamp(0.5 - d, 0.0, 1.0));
}
