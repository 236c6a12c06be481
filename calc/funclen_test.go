package calc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function in calc may be, counted from its
// func line to its closing brace, inclusive (redesign issue: every model
// and every step of a chain is a small named function).
const maxFuncLines = 80

// TestFunctionLength parses every non-test .go file of the package and
// fails naming each function or method longer than maxFuncLines.
func TestFunctionLength(t *testing.T) {
	fset, files := parseSources(t)
	checked := 0
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			checked++
			start := fset.Position(fn.Pos()).Line // the func keyword (after the doc comment)
			end := fset.Position(fn.End()).Line   // the closing brace
			if n := end - start + 1; n > maxFuncLines {
				t.Errorf("%s:%d: %s is %d lines, more than %d", fset.Position(fn.Pos()).Filename, start, funcName(fn), n, maxFuncLines)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no functions found: run from the calc directory")
	}
}

// parseSources parses every non-test .go file of the package (the tests
// run in its directory).
func parseSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no source files: run from the calc directory")
	}
	return fset, files
}

// funcName is "Name" for a function and "Recv.Name" for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	switch x := typ.(type) {
	case *ast.IndexExpr: // generic receiver T[P]
		typ = x.X
	case *ast.IndexListExpr:
		typ = x.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}
