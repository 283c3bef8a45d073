#version 330 core
#include "common.glsl"
#include "world.glsl"
#if WITH_DISPLAY == 2
#include "display_light.glsl"
#endif
// The optics: what the eye receives through an additive see-through display, in linear
// light, exposed so the world's diffuse white is 1.0 (see hud/optics.py for the model).
//
//   L = T * world  +  display light (display_light.frag)  +  world-side streaks
//
// The output grid is the world image's grid in this eye; fragment row 0 is the image's top
// row, so reading the framebuffer back gives image rows without a flip.
//
// Compiled several ways: WITH_DISPLAY 0 runs over the whole frame (world light only; with
// FX_STREAKS only over the rectangles the streaks reach), WITH_DISPLAY 1 only over the
// rectangles the display lights, adding the display light baked for them, WITH_DISPLAY 2
// over the same rectangles computing the display light in place (display_light.glsl, with
// the FX_* of the bake and GAIN_TEX), rounded as the bake's half floats would hold it: for
// content that is new every frame, one pass instead of a bake and a pass. Effects are
// compile-time switches (FX_*, OUTPUT_LINEAR): a software rasteriser evaluates both sides
// of a run-time branch, so an effect that is off must not be in the program at all.
//
// WORLD_CODES (the world pass into the 8-bit output): where only the world's light arrives,
// the output code is a per-channel function of the world's code, encode(T·decode(c)) (with
// the shoulder when it can act), so that pass maps codes to codes without any sRGB math:
// through a 256-entry table (WORLD_LUT), or, when it reproduces that table exactly (checked
// on the CPU for this T), through max(T·c, T^(1/2.4)·(c + 0.055) - 0.055), which is the
// sRGB curve's linear and power segments mapped through T. Its target does not encode.
// The other passes decode the world's codes (world.glsl) and the framebuffer encodes.
uniform sampler2D u_code_lut;       // WORLD_LUT: output code per world code (256×1, R8)
uniform float u_T_encoded;          // T^(1/2.4): T in the sRGB curve's power segment
uniform sampler2D u_display_light;  // display light over the FOV rectangle (linear)
uniform sampler2D u_streaks;        // world-side streak light (reduced resolution)
uniform vec2 u_origin;              // output pixel of u_display_light's (0, 0)
uniform float u_world_shift;        // eye disparity of the world plane, px
uniform float u_T;                  // lens transmittance
uniform float u_streak_gain;
out vec4 f_color;

#if WITH_DISPLAY == 2
// x >= 0 as the bake's half-float texture holds it: cut to 11 significant bits (below
// 2^-14, to a multiple of 2^-24), as Mesa's llvmpipe converts (towards zero), so that the
// two ways give the same bytes there; a driver that rounds to nearest is within a step.
vec3 as_half(vec3 x) {
    vec3 normal = uintBitsToFloat(floatBitsToUint(x) & ~0x1FFFu);
    vec3 small = floor(x * 16777216.0) * (1.0 / 16777216.0);
    return mix(small, normal, step(vec3(6.103515625e-05), x));
}
#endif

void main() {
    vec2 p = gl_FragCoord.xy;
#if WORLD_SHIFT
    ivec2 wp = clamp(ivec2(floor(p - vec2(u_world_shift, 0.0))), ivec2(0), u_world_size - 1);
#else
    ivec2 wp = ivec2(p);  // a single eye sees the photo as its own view: no disparity
#endif
#if WORLD_CODES
    vec3 c = world_code(wp);
#if WORLD_LUT
    ivec3 i = ivec3(c * 255.0 + 0.5);
    f_color = vec4(texelFetch(u_code_lut, ivec2(i.r, 0), 0).r,
                   texelFetch(u_code_lut, ivec2(i.g, 0), 0).r,
                   texelFetch(u_code_lut, ivec2(i.b, 0), 0).r, 1.0);
#else
    f_color = vec4(max(u_T * c, u_T_encoded * (c + 0.055) - 0.055), 1.0);
#endif
#else
    vec3 L = u_T * world_light(wp);
#if WITH_DISPLAY == 1
    L += texelFetch(u_display_light, ivec2(p - u_origin), 0).rgb;
#elif WITH_DISPLAY == 2
    L += as_half(display_light(p));
#endif
#if FX_STREAKS
    L += u_streak_gain * texelFetch(u_streaks, ivec2(p) / STREAK_DOWNSCALE, 0).rgb;
#endif
#if OUTPUT_LINEAR
    f_color = vec4(L, 1.0);
#elif FX_TONEMAP
    f_color = vec4(tonemap_shoulder(L, TONEMAP_KNEE), 1.0);
#else
    // The sRGB8 framebuffer clamps to [0, 1] and encodes on write (fixed-point targets clamp).
    f_color = vec4(L, 1.0);
#endif
#endif
}
