#include "common.glsl"
// Display-space drawing: positions are display pixels with y down. Image convention is kept
// in the framebuffer (row 0 = top), so NDC y = -1 is the top row.
uniform vec2 u_display_size;

vec4 display_px_to_ndc(vec2 px) {
    return vec4(px / u_display_size * 2.0 - 1.0, 0.0, 1.0);
}

// Monochrome displays (u_mono.w = 1) emit only their primary, at the content's luminance.
uniform vec4 u_mono;
vec3 device_colour(vec3 rgb) {
    return u_mono.w > 0.5 ? luminance(rgb) * u_mono.rgb : rgb;
}
