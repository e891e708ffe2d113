package core_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

// stepCases returns the names of the message structs that Replica.Step's
// type switch has a case for, read from the package's source.
func stepCases(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && isReplicaMethod(fn, "Step") {
				return typeSwitchCases(t, fn.Body)
			}
		}
	}
	t.Fatal("no method Replica.Step")
	return nil
}

// isReplicaMethod reports whether fn is the method name of *Replica.
func isReplicaMethod(fn *ast.FuncDecl, name string) bool {
	if fn.Name.Name != name || fn.Recv == nil || len(fn.Recv.List) != 1 {
		return false
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Replica"
}

// typeSwitchCases returns the message.X names of the cases *message.X of
// the first type switch in body.
func typeSwitchCases(t *testing.T, body *ast.BlockStmt) map[string]bool {
	t.Helper()
	var sw *ast.TypeSwitchStmt
	ast.Inspect(body, func(n ast.Node) bool {
		if s, ok := n.(*ast.TypeSwitchStmt); ok && sw == nil {
			sw = s
		}
		return sw == nil
	})
	if sw == nil {
		t.Fatal("Replica.Step has no type switch")
	}
	cases := map[string]bool{}
	for _, c := range sw.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			if star, ok := e.(*ast.StarExpr); ok {
				if sel, ok := star.X.(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "message" {
						cases[sel.Sel.Name] = true
					}
				}
			}
		}
	}
	return cases
}

// TestStepHandlesEveryType checks that Replica.Step has a case for every
// message type package message routes to a replica, so that none is
// dropped silently by falling through the switch.
func TestStepHandlesEveryType(t *testing.T) {
	cases := stepCases(t)
	for _, typ := range message.Types() {
		if typ.Route() == message.ReplicaToClient {
			continue
		}
		name := reflect.TypeOf(message.New(typ)).Elem().Name()
		if !cases[name] {
			t.Errorf("Replica.Step has no case for *message.%s", name)
		}
	}
}
