#version 330 core
#include "quad.glsl"
// A screen-aligned rectangle given in framebuffer pixels: lets an expensive pass run only
// where its content can be (the display's field of view) instead of over the whole frame.
uniform vec4 u_rect;       // x0, y0, x1, y1 in framebuffer pixels
uniform vec2 u_target_size;
void main() {
    vec2 corner = quad_corner();
    vec2 px = mix(u_rect.xy, u_rect.zw, corner);
    gl_Position = vec4(px / u_target_size * 2.0 - 1.0, 0.0, 1.0);
}
