#version 330 core
#include "quad.glsl"
// Screen-aligned rectangles given in output pixels, one per instance: lets an expensive
// pass run only where its content can be (the lit parts of the display's field of view)
// instead of over the whole frame.
in vec4 i_rect;               // x0, y0, x1, y1 in output pixels
uniform vec2 u_target_origin; // output pixel of the target's (0, 0)
uniform vec2 u_target_size;
void main() {
    vec2 px = mix(i_rect.xy, i_rect.zw, quad_corner()) - u_target_origin;
    gl_Position = vec4(px / u_target_size * 2.0 - 1.0, 0.0, 1.0);
}
