// Command caddy is Caddy with its standard modules and rolegate.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/rolegate/rolegate/caddymodule"
)

func main() {
	caddycmd.Main()
}
