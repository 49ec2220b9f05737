"""Wire formats, one pure module each: build a request, parse a body or a stream."""
