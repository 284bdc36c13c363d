package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// fenceRE finds the Terraform code blocks of a markdown page: ```terraform
// or ```hcl up to the closing fence.
var fenceRE = regexp.MustCompile("(?ms)^```(?:terraform|hcl)[ \t]*\n(.*?)^```[ \t]*$")

// guideUnits makes one unit of each guide under dir that has Terraform code
// blocks: the blocks of one guide together, in order, as one module. A
// guide's snippets build on each other (a pool, then its identity), so they
// are written to declare each name once.
func guideUnits(dir string) ([]unit, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.md*"))
	if err != nil {
		return nil, fmt.Errorf("listing guides: %w", err)
	}
	slices.Sort(paths)
	var units []unit
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading guide: %w", err)
		}
		var blocks []string
		for _, m := range fenceRE.FindAllSubmatch(b, -1) {
			blocks = append(blocks, string(m[1]))
		}
		if len(blocks) == 0 {
			continue
		}
		units = append(units, unit{
			name:   "guide " + filepath.Base(p),
			inline: map[string][]byte{"guide.tf": []byte(strings.Join(blocks, "\n"))},
		})
	}
	return units, nil
}
