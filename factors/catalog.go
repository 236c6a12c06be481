package factors

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed data
var dataFS embed.FS

// Catalog holds every dataset version found at load time. It is immutable
// and safe for concurrent use.
type Catalog struct {
	versions  []*Dataset // newest first
	byVersion map[string]*Dataset
	def       *Dataset // the newest released version
}

// Load parses every version under the embedded data/ tree. It returns a
// *FileError naming the file and line of the first defect found.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS parses every version folder at the root of fsys (for example
// "2026.1/"). Files at the root, such as README.md, are ignored; a folder
// whose name is not a dotted number is an error, as is a root with no
// version at all, or with drafts only (there would be no default). Defects
// in a version's files are returned as *FileError.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("factors: %w", err)
	}
	c := &Catalog{byVersion: map[string]*Dataset{}}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		if _, ok := parseVersion(name); !ok {
			return nil, &FileError{File: name, Msg: "folder name is not a dotted version number"}
		}
		d, err := loadDataset(fsys, name)
		if err != nil {
			return nil, err
		}
		c.versions = append(c.versions, d)
		c.byVersion[name] = d
	}
	if len(c.versions) == 0 {
		return nil, fmt.Errorf("factors: no dataset version found")
	}
	sort.Slice(c.versions, func(i, j int) bool {
		return compareVersions(c.versions[i].version, c.versions[j].version) > 0
	})
	for _, d := range c.versions {
		if !d.Draft() {
			c.def = d
			break
		}
	}
	if c.def == nil {
		return nil, fmt.Errorf("factors: no released dataset version: every version is a draft")
	}
	return c, nil
}

// Default returns the newest released dataset version (or the one chosen
// with WithDefault); drafts are never the default (they can only be
// pinned).
func (c *Catalog) Default() *Dataset { return c.def }

// WithDefault returns a copy of the catalog whose default is the released
// version v, for an operator who keeps an older version as the default
// while users move to a new one (ALCARBON_DEFAULT_DATASET). An unknown
// version or a draft is an error that lists the released versions.
func (c *Catalog) WithDefault(v string) (*Catalog, error) {
	d, ok := c.byVersion[v]
	if !ok || d.Draft() {
		var released []string
		for _, x := range c.versions {
			if !x.Draft() {
				released = append(released, x.version)
			}
		}
		what := "is not a dataset version of this build"
		if ok {
			what = "is a draft, which is never the default"
		}
		return nil, fmt.Errorf("dataset %q %s; released: %s", v, what, strings.Join(released, ", "))
	}
	out := *c
	out.def = d
	return &out, nil
}

// Get returns the dataset with the given version ("2026.1") and whether it
// exists.
func (c *Catalog) Get(version string) (*Dataset, bool) {
	d, ok := c.byVersion[version]
	return d, ok
}

// Versions returns every dataset, drafts included, newest first.
func (c *Catalog) Versions() []*Dataset {
	return append([]*Dataset(nil), c.versions...)
}

// parseVersion splits a dotted version ("2026.10") into its numbers. It
// reports false unless every part is a non-empty run of decimal digits.
func parseVersion(v string) ([]int, bool) {
	parts := strings.Split(v, ".")
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return nil, false
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		nums[i] = n
	}
	return nums, true
}

// compareVersions compares two dotted versions number by number and returns
// -1, 0 or +1. A version that is a prefix of the other is the older one
// ("2026" < "2026.1"). Invalid versions compare as strings.
func compareVersions(a, b string) int {
	x, okA := parseVersion(a)
	y, okB := parseVersion(b)
	if !okA || !okB {
		return strings.Compare(a, b)
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(x) < len(y):
		return -1
	case len(x) > len(y):
		return 1
	}
	return 0
}
