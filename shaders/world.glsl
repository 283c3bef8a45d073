#include "common.glsl"
// The world image as it is uploaded: the camera's packed RGB bytes, four to a texel of an
// RGBA8 (UNORM) texture, so the upload is a plain copy (an RGB texture would be repacked
// to RGBA by the driver on every frame). Fetches return sRGB code values / 255, not light:
// a pass that needs light decodes them (world_light).
uniform sampler2D u_world;
uniform ivec2 u_world_size;  // the image's size in pixels (the texture is 3/4 as wide)

// Code values of pixel p (inside the image): bytes 3x..3x+2 of row y, in one texel or two.
vec3 world_code(ivec2 p) {
    int b = 3 * p.x;
    int i = b >> 2;
    int k = b & 3;
    vec4 a = texelFetch(u_world, ivec2(i, p.y), 0);
    vec4 n = texelFetch(u_world, ivec2(min(i + 1, textureSize(u_world, 0).x - 1), p.y), 0);
    return k == 0 ? a.xyz : (k == 1 ? a.yzw : (k == 2 ? vec3(a.zw, n.x) : vec3(a.w, n.xy)));
}

vec3 world_light(ivec2 p) {
    return srgb_to_linear(world_code(p));
}
