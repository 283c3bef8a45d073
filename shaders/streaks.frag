#version 330 core
#include "common.glsl"
// World-side rainbow streaks. A diffractive waveguide's gratings cover the whole lens, so
// bright world light (lamps, sun, specular glints) is partly diffracted into the eye as a
// coloured streak along the grating vector, red spread farther than blue (grating equation:
// deflection grows with wavelength). Rendered at reduced resolution: the streaks are smooth.
// Taps come from streak_bright.frag's output (the bright part of the world, same grid).
uniform sampler2D u_bright;     // bright world light, this pass's grid, one channel
uniform vec2 u_dir;             // streak direction (unit, image px)
uniform float u_length;         // streak half-length, this pass's px
out vec4 f_color;

vec3 spectral(float t) {
    // t in [0, 1]: blue (near) -> green -> red (far), a cheap visible-spectrum ramp.
    return clamp(vec3(1.5 * t - 0.3, 1.0 - abs(2.0 * t - 1.0) * 1.2, 1.2 - 2.0 * t), 0.0, 1.0);
}

void main() {
    vec2 size = vec2(textureSize(u_bright, 0));
    vec2 p = gl_FragCoord.xy;
    vec3 acc = vec3(0.0);
    for (int i = 1; i <= TAPS; ++i) {
        float t = float(i) / float(TAPS);
        vec3 tint = spectral(t) * (1.0 - 0.6 * t);
        float bright = 0.0;
        for (int s = -1; s <= 1; s += 2) {
            vec2 uv = (p + float(s) * u_dir * t * u_length) / size;
            bright += inside01(uv) * texture(u_bright, uv).r;
        }
        acc += bright * tint;
    }
    f_color = vec4(acc / float(TAPS), 1.0);
}
