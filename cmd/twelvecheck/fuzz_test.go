package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReaders feeds any bytes to every deploy format's reader: none panics,
// and none quotes in its error a value the file holds (the canary).
func FuzzReaders(f *testing.F) {
	for _, dir := range []string{"testdata/deploy/clean", "testdata/deploy/faults"} {
		_ = filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if b, err := os.ReadFile(path); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Add([]byte("kind: Pod\nspec: [canary-0x5]\n"))
	f.Add([]byte("services:\n  web:\n    environment: canary-0x5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k := &kube{configMaps: map[string]map[string]string{}, secrets: map[string]map[string]string{}}
		errs := []error{k.read("k.yaml", b)}
		_, err := readCompose("c.yaml", b)
		errs = append(errs, err)
		_, err = readFly("fly.toml", b)
		errs = append(errs, err)
		_, err = readAppJSON("app.json", b)
		errs = append(errs, err)
		_, err = readProcfile(filepath.Join(t.TempDir(), "Procfile"), b)
		errs = append(errs, err)
		for _, w := range k.workloads() {
			_ = checkWorkload(&contract{vars: map[string]*contractVar{}, owned: map[string]bool{}}, w)
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), "canary-0x5") {
				t.Errorf("an error quotes the file: %v", err)
			}
		}
	})
}
