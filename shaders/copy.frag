#version 330 core
#include "common.glsl"
// A plain texture copy: the cheapest possible full-screen frame (the benchmark's floor),
// and the window blit. FLIP_Y turns image rows (top first) into window rows (bottom first).
uniform sampler2D u_tex;
out vec4 f_color;
void main() {
    ivec2 size = textureSize(u_tex, 0);
    ivec2 p = ivec2(gl_FragCoord.xy);
#if FLIP_Y
    p.y = size.y - 1 - p.y;
#endif
    f_color = texelFetch(u_tex, clamp(p, ivec2(0), size - 1), 0);
#if ENCODE_SRGB
    f_color.rgb = linear_to_srgb(f_color.rgb);  // sRGB texture into a plain (window) framebuffer
#endif
}
