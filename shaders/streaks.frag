#version 330 core
#include "common.glsl"
// World-side rainbow streaks. A diffractive waveguide's gratings cover the whole lens, so
// bright world light (lamps, sun, specular glints) is partly diffracted into the eye as a
// coloured streak along the grating vector, red spread farther than blue (grating equation:
// deflection grows with wavelength). Rendered at reduced resolution: the streaks are smooth.
uniform sampler2D u_world;      // world image, sRGB texture (fetches return linear)
uniform vec2 u_world_size;
uniform vec2 u_out_size;        // this pass's (reduced) size
uniform float u_world_shift;    // eye disparity, world px
uniform vec2 u_dir;             // streak direction (unit, image px)
uniform float u_length;         // streak half-length, world px
uniform float u_threshold;      // linear world level above which light streaks
out vec4 f_color;

vec3 spectral(float t) {
    // t in [0, 1]: blue (near) -> green -> red (far), a cheap visible-spectrum ramp.
    return clamp(vec3(1.5 * t - 0.3, 1.0 - abs(2.0 * t - 1.0) * 1.2, 1.2 - 2.0 * t), 0.0, 1.0);
}

void main() {
    vec2 p = gl_FragCoord.xy / u_out_size * u_world_size - vec2(u_world_shift, 0.0);
    vec3 acc = vec3(0.0);
    for (int i = 1; i <= TAPS; ++i) {
        float t = float(i) / float(TAPS);
        vec3 tint = spectral(t) * (1.0 - 0.6 * t);
        for (int s = -1; s <= 1; s += 2) {
            vec2 q = p + float(s) * u_dir * t * u_length;
            vec2 uv = q / u_world_size;
            float inside = inside01(uv);
            vec3 w = texture(u_world, uv).rgb;
            // Only near-saturated world light (lamps, sun, glints) streaks, not white paper.
            float bright = inside * max(luminance(w) - u_threshold, 0.0) / (1.0 - u_threshold);
            acc += bright * tint;
        }
    }
    f_color = vec4(acc / float(TAPS), 1.0);
}
