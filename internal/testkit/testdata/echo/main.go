// Command echo prints its arguments; the kit's tests build it.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println(os.Args[1:]) }
