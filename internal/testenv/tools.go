package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// toolBinary returns the path of a server binary that
// scripts/install-test-deps.sh builds: $envVar when set, otherwise the path
// the script records in <cache>/<name>-path, the cache being
// $ATRIUM_TOOLS_CACHE or ~/.cache/atrium-tools, as in the script.
func toolBinary(envVar, name string) (string, error) {
	path := os.Getenv(envVar)
	if path == "" {
		cache := os.Getenv("ATRIUM_TOOLS_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			cache = filepath.Join(home, ".cache", "atrium-tools")
		}
		recorded, err := os.ReadFile(filepath.Join(cache, name+"-path"))
		if err != nil {
			return "", fmt.Errorf("no $%s and no recorded %s: %w", envVar, name, err)
		}
		path = strings.TrimSpace(string(recorded))
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file", path)
	}
	return path, nil
}
