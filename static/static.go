// Package static embeds Atrium's CSS, scripts and images and serves them at
// content-hashed URLs (/static/<hash>/<path>), so that browsers may cache them
// forever and a new release is never served stale.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js vendor img
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

// Assets serves the embedded files and names their hashed URLs.
type Assets struct {
	hashes map[string]string // file path -> short content hash
	byURL  map[string]asset  // "hash/path" -> the file
}

// asset is one file as served, read once at start: reading an embedded file
// copies it, which a request need not pay for.
type asset struct {
	body        []byte
	contentType string
}

// New hashes every embedded file.
func New() (*Assets, error) { return newAssets(files) }

func newAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{hashes: map[string]string{}, byURL: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:6])
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.hashes[p] = h
		a.byURL[h+"/"+p] = asset{body: b, contentType: ct}
		return nil
	})
	return a, err
}

// URL returns the hashed URL of the embedded file at p, e.g. "css/atrium.css".
// It panics on an unknown file: a page linking a missing asset is a programming
// error that tests catch.
func (a *Assets) URL(p string) string {
	h, ok := a.hashes[p]
	if !ok {
		panic("static: no embedded file " + p)
	}
	return Prefix + h + "/" + p
}

// ServeHTTP serves a file by its hashed URL. Unknown or outdated hashes are 404:
// a page rendered by another release must not get this release's file.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(f.body)
}
