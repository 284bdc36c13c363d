package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// registryDirs are the example directories tfplugindocs reads. Their files
// are snippets shown one per docs section (resource.tf beside
// import-by-string-id.tf declares the same resource twice), so each file is
// validated on its own, the way a reader would paste it into a module.
var registryDirs = []string{
	"provider", "resources", "data-sources", "functions",
	"ephemeral-resources", "actions", "list-resources",
}

// unit is one configuration to validate: the files that form one module.
type unit struct {
	name   string            // how the report names it, relative to the examples dir
	files  []string          // absolute paths, copied together into one module
	inline map[string][]byte // file name to content, for code taken from a page
}

// findUnits lists what to validate under root: every .tf file of the
// registry directories on its own, and every other directory holding .tf
// files (a whole root module, such as demo) as one unit.
func findUnits(root string) ([]unit, error) {
	var units []unit
	dirs := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root {
				return filepath.SkipDir // .terraform left by someone trying an example
			}
			return nil
		}
		if filepath.Ext(path) != ".tf" {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if slices.Contains(registryDirs, top) {
			units = append(units, unit{name: filepath.ToSlash(rel), files: []string{path}})
			return nil
		}
		dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing examples under %s: %w", root, err)
	}
	for dir, files := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		units = append(units, unit{name: filepath.ToSlash(rel) + "/", files: files})
	}
	slices.SortFunc(units, func(a, b unit) int { return strings.Compare(a.name, b.name) })
	return units, nil
}

var requiredProvidersRE = regexp.MustCompile(`(?m)^\s*required_providers\s*\{`)

// providersFile is added to a unit that does not declare the provider
// itself, as the module a reader pastes an example into would: without it
// Terraform would look for hashicorp/iis, and provider functions would not
// resolve at all.
const providersFile = `terraform {
  required_providers {
    iis = {
      source = "iisguard/iis"
    }
  }
}
`

// stage copies a unit's files into dir, adding providersFile unless one of
// them has its own required_providers block (two would be an error).
func stage(u unit, dir string) error {
	declared := false
	for _, f := range u.files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("reading example: %w", err)
		}
		if requiredProvidersRE.Match(b) {
			declared = true
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			return fmt.Errorf("staging example: %w", err)
		}
	}
	for name, b := range u.inline {
		if requiredProvidersRE.Match(b) {
			declared = true
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("staging example: %w", err)
		}
	}
	if declared {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, "zz_examplescheck_providers.tf"), []byte(providersFile), 0o644); err != nil {
		return fmt.Errorf("staging provider requirements: %w", err)
	}
	return nil
}
