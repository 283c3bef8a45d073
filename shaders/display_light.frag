#version 330 core
#include "display_light.glsl"
// The display's light (display_light.glsl), resampled onto the output grid over the lit
// parts of the rectangle the FOV can reach. It depends only on the display frame and the
// viewer, not on the world, so it is rebuilt when those change and the per-frame compose
// pass adds it with one fetch.
uniform vec2 u_origin;           // output pixel of this texture's (0, 0)
out vec4 f_color;

void main() {
    f_color = vec4(display_light(gl_FragCoord.xy + u_origin), 1.0);
}
