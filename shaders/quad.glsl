// Vertex shaders drawing one quad per instance (6 vertices, two triangles, no vertex
// buffer): this vertex's corner of the unit square, (0, 0) to (1, 1).
vec2 quad_corner() {
    return vec2(gl_VertexID == 1 || gl_VertexID == 2 || gl_VertexID == 4,
                gl_VertexID == 2 || gl_VertexID == 4 || gl_VertexID == 5);
}
