#version 330 core
#include "common.glsl"
// The display light's low-frequency factors on a coarse grid over the FOV rectangle, for
// display_light.frag to take with one bilinear tap: waveguide efficiency eta(x, y, lambda)
// (itself a 32×32 map), eyebox vignetting and the display's gain. Texel (i, j) holds their
// value at output pixel u_gain_origin + (i + 0.5, j + 0.5) · GAIN_CELL. They depend on the
// viewer only, so this is rebuilt when the viewer changes, never for new content.
uniform sampler2D u_uniformity;  // eta: per-channel efficiency map over the FOV
uniform vec2 u_gain_origin;      // output pixel of this texture's (0, 0) corner
uniform vec2 u_out_size;
uniform float u_focal;           // world-camera focal length, px
uniform vec2 u_fov_center;       // FOV centre, tan units (x right, y down)
uniform vec2 u_fov_half;         // FOV half extent, tan units
uniform float u_gain;            // display white over world diffuse white (nits / nits)
uniform vec2 u_swim;             // pupil-swim image shift, tan units
uniform vec2 u_pupil;            // pupil offset in the eyebox, mm
uniform vec2 u_eyebox_half;      // half-width of each field's footprint, mm
uniform float u_relief;          // footprint shift per tan unit of field angle, mm
uniform float u_pupil_d;         // pupil diameter, mm
out vec4 f_color;

void main() {
    vec2 p = u_gain_origin + gl_FragCoord.xy * float(GAIN_CELL);  // this texel's output pixel
    vec2 t = (p - 0.5 * u_out_size) / u_focal;
#if FX_EYEBOX
    vec2 rel = t - u_fov_center - u_swim;
#else
    vec2 rel = t - u_fov_center;
#endif
    vec2 uv = rel / u_fov_half * 0.5 + 0.5;
#if FX_UNIFORMITY
    vec3 eta = texture(u_uniformity, uv).rgb;
#else
    vec3 eta = vec3(1.0);
#endif
    float vis = 1.0;
#if FX_EYEBOX
    // Each field angle leaves the waveguide as a beam whose footprint on the eye plane is
    // shifted by relief * tan(field); the pupil sees the part of it that it overlaps.
    vec2 c = -u_relief * t;
    vec2 f = clamp((u_eyebox_half - abs(u_pupil - c)) / u_pupil_d + 0.5, 0.0, 1.0);
    vis = f.x * f.y;
#endif
    f_color = vec4(eta * vis * u_gain, 1.0);
}
