// Command linked prints one line and exits, like bare, but links what every
// service binary links anyway (net/http, zap), so that its start-up cost shows
// apart from what twelvekit's admin adds.
package main

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"
)

func main() {
	_ = http.NewServeMux()
	_ = zap.NewNop()
	fmt.Println("task done")
}
