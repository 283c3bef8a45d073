#version 330 core
#include "common.glsl"
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
// rectangles the display lights, adding the display light baked for them. Effects are
// compile-time switches (FX_*, OUTPUT_LINEAR): a software rasteriser evaluates both sides
// of a run-time branch, so an effect that is off must not be in the program at all.
// sRGB decode of the world and encode of the output are done by the texture and framebuffer
// formats (exact, and free on GPUs and on llvmpipe alike).
uniform sampler2D u_world;          // world image, sRGB texture (fetches return linear)
uniform sampler2D u_display_light;  // display light over the FOV rectangle (linear)
uniform sampler2D u_streaks;        // world-side streak light (reduced resolution)
uniform vec2 u_origin;              // output pixel of u_display_light's (0, 0)
uniform float u_world_shift;        // eye disparity of the world plane, px
uniform float u_T;                  // lens transmittance
uniform float u_streak_gain;
out vec4 f_color;

void main() {
    vec2 p = gl_FragCoord.xy;
#if WORLD_SHIFT
    ivec2 wsize = textureSize(u_world, 0);
    ivec2 wp = clamp(ivec2(floor(p - vec2(u_world_shift, 0.0))), ivec2(0), wsize - 1);
#else
    ivec2 wp = ivec2(p);  // a single eye sees the photo as its own view: no disparity
#endif
    vec3 L = u_T * texelFetch(u_world, wp, 0).rgb;
#if WITH_DISPLAY
    L += texelFetch(u_display_light, ivec2(p - u_origin), 0).rgb;
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
}
