// Command health runs an Argo CD custom health script against FlinkDeployment fixtures the way
// Argo CD does (util/lua/lua.go, VM.runLua and VM.ExecuteHealthLua): a gopher-lua state with
// SkipOpenLibs, then only the package, base and table libraries and a reduced os library (time,
// date) opened, the object as the global `obj` converted like Argo CD's decodeValue, a 1 second
// deadline, and the returned table read as {status, message}.
//
// Usage: go run . SCRIPT.lua < cases.json, where cases.json is [{"name": ..., "object": {...}}].
// Prints [{"name", "status", "message"}] or {"name", "error"} per case as JSON.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type input struct {
	Name   string          `json:"name"`
	Object json.RawMessage `json:"object"`
}

type output struct {
	Name    string `json:"name"`
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Argo CD's valid health codes (health.HealthStatusCode); anything else becomes Unknown.
var validCodes = map[string]bool{"Unknown": true, "Progressing": true, "Healthy": true, "Suspended": true, "Degraded": true, "Missing": true}

// The reduced os library Argo CD opens instead of gopher-lua's (util/lua/oslib_safe.go): only
// time and date, nothing that exits, reads files or runs programs.
var safeOs = map[string]lua.LGFunction{
	"time": func(l *lua.LState) int { l.Push(lua.LNumber(time.Now().Unix())); return 1 },
	"date": func(l *lua.LState) int { l.Push(lua.LString(time.Now().UTC().Format(time.RFC3339))); return 1 },
}

func openSafeOs(l *lua.LState) int {
	l.Push(l.RegisterModule(lua.OsLibName, safeOs))
	return 1
}

func safeOsLoader(l *lua.LState) int {
	l.Push(l.SetFuncs(l.NewTable(), safeOs))
	return 1
}

// toUnstructured decodes JSON the way Kubernetes' unstructured objects hold it: integers as
// int64, other numbers as float64.
func toUnstructured(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v), nil
}

func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = convertNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = convertNumbers(x[k])
		}
	}
	return v
}

// decodeValue is Argo CD's conversion of the object into Lua values.
func decodeValue(l *lua.LState, value any) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case float64:
		return lua.LNumber(converted)
	case string:
		return lua.LString(converted)
	case json.Number:
		return lua.LString(converted)
	case int:
		return lua.LNumber(converted)
	case int32:
		return lua.LNumber(converted)
	case int64:
		return lua.LNumber(converted)
	case []any:
		arr := l.CreateTable(len(converted), 0)
		for _, item := range converted {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(converted))
		for key, item := range converted {
			tbl.RawSetH(lua.LString(key), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}

func runHealth(script string, object any) (status, message string, err error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, pair := range []struct {
		n string
		f lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOs},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(pair.f), NRet: 0, Protect: true}, lua.LString(pair.n)); err != nil {
			return "", "", err
		}
	}
	l.PreloadModule(lua.OsLibName, safeOsLoader)
	ctx, cancel := context.WithTimeout(context.Background(), 1*time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("actionParams", l.CreateTable(0, 0))
	l.SetGlobal("obj", decodeValue(l, object))
	fn, err := l.LoadString(script)
	if err != nil {
		return "", "", err
	}
	l.Push(fn)
	if err := l.PCall(0, lua.MultRet, nil); err != nil {
		return "", "", err
	}
	ret := l.Get(-1)
	switch ret.Type() {
	case lua.LTNil:
		return "", "", nil
	case lua.LTTable:
	default:
		return "", "", fmt.Errorf("expect table output from Lua script, not %s", ret.Type())
	}
	tbl := ret.(*lua.LTable)
	s, ok := tbl.RawGetString("status").(lua.LString)
	if !ok || !validCodes[string(s)] {
		return "Unknown", "The health status is invalid", nil
	}
	m := tbl.RawGetString("message")
	if m == lua.LNil {
		return string(s), "", nil
	}
	if ms, ok := m.(lua.LString); ok {
		return string(s), string(ms), nil
	}
	return "", "", fmt.Errorf("message is a %s, not a string", m.Type())
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: health SCRIPT.lua < cases.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var cases []input
	if err := json.Unmarshal(raw, &cases); err != nil {
		fmt.Fprintln(os.Stderr, "cases:", err)
		os.Exit(2)
	}
	out := make([]output, 0, len(cases))
	for _, c := range cases {
		o := output{Name: c.Name}
		object, err := toUnstructured(c.Object)
		if err == nil {
			o.Status, o.Message, err = runHealth(string(script), object)
		}
		if err != nil {
			o.Error = strings.TrimSpace(err.Error())
		}
		out = append(out, o)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
