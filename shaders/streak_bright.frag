#version 330 core
#include "common.glsl"
// First half of the world-side streaks (streaks.frag): how much of each 4×4 block of the
// world is light bright enough to streak, at quarter resolution. The threshold is applied
// per world pixel (a lamp one pixel wide still streaks), then the block is averaged, so
// the streak pass can take its taps from this small one-channel texture.
uniform sampler2D u_world;      // world image, sRGB texture (fetches return linear)
uniform int u_shift;            // eye disparity, whole world px
uniform float u_threshold;      // linear world level above which light streaks
out vec4 f_color;

void main() {
    ivec2 wsize = textureSize(u_world, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * DOWNSCALE - ivec2(u_shift, 0);
    float acc = 0.0;
    for (int j = 0; j < DOWNSCALE; ++j) {
        for (int i = 0; i < DOWNSCALE; ++i) {
            ivec2 q = base + ivec2(i, j);
            float inside = float(all(greaterThanEqual(q, ivec2(0))) && all(lessThan(q, wsize)));
            vec3 w = texelFetch(u_world, clamp(q, ivec2(0), wsize - 1), 0).rgb;
            acc += inside * max(luminance(w) - u_threshold, 0.0);
        }
    }
    f_color = vec4(acc / (float(DOWNSCALE * DOWNSCALE) * (1.0 - u_threshold)), 0.0, 0.0, 1.0);
}
