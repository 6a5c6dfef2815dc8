// Command echo prints its arguments, after the words of prefix (set with
// -ldflags=-X=main.prefix=...); the kit's tests build it.
package main

import (
	"fmt"
	"os"
	"strings"
)

var prefix string

func main() { fmt.Println(append(strings.Fields(prefix), os.Args[1:]...)) }
