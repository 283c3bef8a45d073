#include "common.glsl"
// The display's light as it arrives in this eye at output pixel p: field-of-view mask,
// eyebox vignetting, waveguide efficiency eta(x, y, lambda), rainbow colour shift and ghost,
// times the display's gain. display_light.frag bakes it into a texture (content that stays
// for more than a frame); compose.frag's WITH_DISPLAY 2 adds it in the display pass itself
// (content that changes every frame: one pass over the lit rectangles instead of two).
//
// The low-frequency factors, efficiency eta and eyebox vignetting (times the gain), come
// from display_gain.frag's small texture (one bilinear tap) when either is on: GAIN_TEX.
uniform sampler2D u_display;     // linear emitted light, display resolution, mipmapped
uniform sampler2D u_gain_tex;    // GAIN_TEX: eta · eyebox visibility · gain, coarse grid
uniform vec2 u_gain_origin;      // output pixel of u_gain_tex's (0, 0) corner
uniform vec2 u_gain_extent;      // output pixels u_gain_tex spans
uniform vec2 u_out_size;
uniform float u_focal;           // world-camera focal length, px
uniform vec2 u_fov_center;       // FOV centre, tan units (x right, y down)
uniform vec2 u_fov_half;         // FOV half extent, tan units
uniform float u_corner;          // FOV corner radius, tan units
uniform float u_edge;            // soft-edge width, tan units
uniform float u_gain;            // display white over world diffuse white (nits / nits)
uniform vec2 u_swim;             // pupil-swim image shift, tan units
uniform float u_rainbow;         // red/blue lateral shift at the FOV edge, display uv
uniform float u_ghost;           // ghost intensity
uniform vec2 u_ghost_offset;     // ghost offset, display uv

vec3 display_at(vec2 uv) {
    return texture(u_display, uv).rgb;
}

vec3 display_light(vec2 p) {
    vec2 t = (p - 0.5 * u_out_size) / u_focal;                 // this eye's direction, tan
#if FX_EYEBOX
    vec2 rel = t - u_fov_center - u_swim;
#else
    vec2 rel = t - u_fov_center;
#endif
    vec2 d = rel / u_fov_half;                                  // -1..1 across the FOV
#if FX_FOV
    float sd = sd_round_rect(rel, u_fov_half, u_corner);
    float mask = clamp(0.5 - sd / max(u_edge, 1e-6), 0.0, 1.0);
#else
    float mask = float(all(lessThanEqual(abs(d), vec2(1.0))));
#endif
    vec2 uv = d * 0.5 + 0.5;
#if FX_RAINBOW
    vec2 shift = d * u_rainbow;
    vec3 disp = vec3(display_at(uv + shift).r, display_at(uv).g, display_at(uv - shift).b);
#else
    vec3 disp = display_at(uv);
#endif
#if FX_GHOST
    vec2 guv = uv - u_ghost_offset;
    disp += u_ghost * inside01(guv) * display_at(guv);
#endif
#if GAIN_TEX
    vec3 gain = texture(u_gain_tex, (p - u_gain_origin) / u_gain_extent).rgb;
#else
    vec3 gain = vec3(u_gain);
#endif
    return mask * gain * disp;
}
