// Shared helpers, included by name from other shaders.

// IEC 61966-2-1 sRGB transfer functions.
vec3 srgb_to_linear(vec3 c) {
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(vec3(0.04045), c));
}

vec3 linear_to_srgb(vec3 c) {
    c = clamp(c, 0.0, 1.0);
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), c));
}

// Highlight shoulder (hud.optics.tonemap): identity below the knee k, then an algebraic
// roll-off towards 1, y = k + e / sqrt(1 + (e / (1 - k))^2) with e = x - k: slope 1 at the
// knee, monotonic, bounded by 1. Algebraic rather than exponential or rational because
// inversesqrt is the one cheap transcendental on a software rasteriser.
vec3 tonemap_shoulder(vec3 x, float k) {
    vec3 e = max(x - k, 0.0);
    vec3 r = e / (1.0 - k);
    return min(max(x, 0.0), k) + e * inversesqrt(1.0 + r * r);
}

// Signed distance to a rounded rectangle centred at the origin with half-size b, radius r.
float sd_round_rect(vec2 p, vec2 b, float r) {
    vec2 q = abs(p) - b + r;
    return length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - r;
}

// 1 inside the unit square (edges included), 0 outside.
float inside01(vec2 uv) {
    return float(all(greaterThanEqual(uv, vec2(0.0))) && all(lessThanEqual(uv, vec2(1.0))));
}

float luminance(vec3 c) {
    return dot(c, vec3(0.2126, 0.7152, 0.0722));
}
