#version 330 core
#include "display_common.glsl"
uniform sampler2D u_atlas;
in vec2 v_uv;
flat in vec3 v_rgb;
out vec4 f_color;
void main() {
    float coverage = texture(u_atlas, v_uv).r;
    f_color = vec4(device_colour(v_rgb), coverage);
}
