#version 330 core
#include "common.glsl"
#include "display_common.glsl"
in vec2 v_local;
flat in vec2 v_half;
flat in vec2 v_shape;
flat in vec3 v_fill;
flat in vec3 v_border;
out vec4 f_color;
void main() {
    float r = min(v_shape.x, min(v_half.x, v_half.y));
    float d = sd_round_rect(v_local, v_half, r);
    float coverage = clamp(0.5 - d, 0.0, 1.0);
    float border = v_shape.y > 0.0 ? clamp(d + v_shape.y + 0.5, 0.0, 1.0) : 0.0;
    vec3 rgb = mix(v_fill, v_border, border);
    f_color = vec4(device_colour(rgb), coverage);
}
