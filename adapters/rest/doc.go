// Package rest connects any system that answers JSON over HTTP, by
// configuration only: URL templates say where to ask, jq expressions
// (github.com/itchyny/gojq) say how to read the answers into matches, header
// fields, tables and timeline events.
//
// The adapter distrusts the system it talks to: every request stays on the
// base URL's scheme and host (placeholders are escaped for their position,
// redirects and next links leading elsewhere are refused), answers are read
// up to a size bound, and an answer that is not JSON, too large, too slow or
// of the wrong shape fails with a named error class from package adapters.
package rest
