package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
)

// consoleFiles are the console's assets: plain ES modules, CSS and the
// vendored charting library, served as they are (no build step).
//
//go:embed console
var consoleFiles embed.FS

// consoleHandler serves the console. The console routes with the URL
// fragment (#/meters/12), so every page is index.html and the server needs
// no fallback route.
func consoleHandler() (http.Handler, error) {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		return nil, fmt.Errorf("web: console assets: %w", err)
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// The assets change with the binary; revalidating is cheap on
		// loopback and avoids a stale console after an upgrade.
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}), nil
}
