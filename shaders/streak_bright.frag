#version 330 core
#include "common.glsl"
#include "world.glsl"
// First half of the world-side streaks (streaks.frag): how much of each DOWNSCALE² block of
// the world is light bright enough to streak, at reduced resolution. The threshold is
// applied per world pixel, then averaged over every other pixel of the block in each
// direction (a source two pixels across is always seen), so the streak pass takes its
// taps from this small one-channel texture.
uniform int u_shift;            // eye disparity, whole world px
uniform float u_threshold;      // linear world level above which light streaks
out vec4 f_color;

void main() {
    ivec2 wsize = u_world_size;
    ivec2 base = ivec2(gl_FragCoord.xy) * DOWNSCALE - ivec2(u_shift, 0);
    float acc = 0.0;
    for (int j = 1; j < DOWNSCALE; j += 2) {
        for (int i = 1; i < DOWNSCALE; i += 2) {
            ivec2 q = base + ivec2(i, j);
            float inside = float(all(greaterThanEqual(q, ivec2(0))) && all(lessThan(q, wsize)));
            vec3 w = world_light(clamp(q, ivec2(0), wsize - 1));
            acc += inside * max(luminance(w) - u_threshold, 0.0);
        }
    }
    float n = float((DOWNSCALE / 2) * (DOWNSCALE / 2));
    f_color = vec4(acc / (n * (1.0 - u_threshold)), 0.0, 0.0, 1.0);
}
