package caddymodule

import (
	"net/http"
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("rolegate", parseCaddyfile)
	// After basic_auth, before the handlers that answer or proxy: no
	// `order` option is needed.
	httpcaddyfile.RegisterDirectiveOrder("rolegate", httpcaddyfile.After, "basic_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	var m Handler
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return &m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	rolegate [<policy-file>] {
//	    policy        <file>
//	    user_header   <name>
//	    roles_header  <name>
//	    actions_header <name>
//	    strip_headers <name...>
//	    features      <flag...>
//	    enrich {
//	        url          <url with {sub} or {email}>
//	        header       <name> <value>   (repeatable)
//	        timeout      <duration>
//	        ttl          <duration>
//	        negative_ttl <duration>
//	        size         <users>
//	    }
//	    deny_mode     respond|error
//	    bearer {
//	        issuer      <url>
//	        audiences   <aud...>
//	        jwks_url    <url>
//	        jwks_file   <file>
//	        algorithms  <alg...>
//	        roles_claim <dotted.path>
//	        user_claim  <claim>
//	        clock_skew  <duration>
//	    }
//	    sign_in {
//	        issuer           <url>
//	        client_id        <id>
//	        client_secret    <secret>
//	        scopes           <scope...>
//	        algorithms       <alg...>
//	        roles_claim      <dotted.path>
//	        user_claim       <claim>
//	        userinfo
//	        redirect_url     <url>
//	        post_logout_url  <url>
//	        path_prefix      <path>
//	        key              <id> <secret>   (repeat: the first seals, all open)
//	        cookie_name      <name>
//	        insecure_cookies
//	        lifetime         <duration>
//	        idle_timeout     <duration>
//	        refresh
//	        refresh_before   <duration>
//	    }
//	}
//
// The short form is rolegate <policy-file>. Like every handler directive,
// rolegate takes a matcher first, so a first argument starting with "/" is
// a path matcher: write "rolegate * /etc/rolegate/app.yaml" for an
// absolute policy path. Unknown and repeated options are errors.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		h.Policy = d.Val()
	}
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for d.NextBlock(0) {
		opt := d.Val()
		if seen[opt] {
			return d.Errf("rolegate: option %q given twice", opt)
		}
		seen[opt] = true
		if err := h.unmarshalOption(d, opt); err != nil {
			return err
		}
	}
	if h.Policy == "" {
		// Caddy reads a first argument starting with "/" as a path matcher,
		// so "rolegate /etc/app.yaml" arrives here with no policy.
		return d.Err("rolegate: a policy file is required (rolegate <file>, or policy <file> in the block; " +
			"an absolute path right after the directive is read as a path matcher: write rolegate * /path/to/policy.yaml)")
	}
	return nil
}

func (h *Handler) unmarshalOption(d *caddyfile.Dispenser, opt string) error {
	switch opt {
	case "policy":
		if h.Policy != "" {
			return d.Err("rolegate: policy given twice")
		}
		return oneArg(d, &h.Policy)
	case "user_header":
		return oneArg(d, &h.UserHeader)
	case "roles_header":
		return oneArg(d, &h.RolesHeader)
	case "actions_header":
		return oneArg(d, &h.ActionsHeader)
	case "deny_mode":
		return oneArg(d, &h.DenyMode)
	case "strip_headers":
		return someArgs(d, &h.StripHeaders)
	case "features":
		return someArgs(d, &h.Features)
	case "enrich":
		h.Enrich = new(EnrichConfig)
		return h.Enrich.unmarshalCaddyfile(d)
	case "bearer":
		h.Bearer = new(BearerConfig)
		return h.Bearer.unmarshalCaddyfile(d)
	case "sign_in":
		h.SignIn = new(SignInConfig)
		return h.SignIn.unmarshalCaddyfile(d)
	default:
		return d.Errf("rolegate: unknown option %q", opt)
	}
}

// unmarshalCaddyfile reads the bearer { } sub-block.
func (b *BearerConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for d.NextBlock(1) {
		opt := d.Val()
		if seen[opt] {
			return d.Errf("rolegate: bearer: option %q given twice", opt)
		}
		seen[opt] = true
		var err error
		switch opt {
		case "issuer":
			err = oneArg(d, &b.Issuer)
		case "audiences":
			err = someArgs(d, &b.Audiences)
		case "jwks_url":
			err = oneArg(d, &b.JWKSURL)
		case "jwks_file":
			err = oneArg(d, &b.JWKSFile)
		case "algorithms":
			err = someArgs(d, &b.Algorithms)
		case "roles_claim":
			err = oneArg(d, &b.RolesClaim)
		case "user_claim":
			err = oneArg(d, &b.UserClaim)
		case "clock_skew":
			err = durationArg(d, &b.ClockSkew)
		default:
			err = d.Errf("rolegate: bearer: unknown option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case b.Issuer == "":
		return d.Err("rolegate: bearer: issuer is required")
	case len(b.Audiences) == 0:
		return d.Err("rolegate: bearer: audiences is required")
	}
	return nil
}

func oneArg(d *caddyfile.Dispenser, dst *string) error {
	opt := d.Val()
	if !d.NextArg() {
		return d.Errf("rolegate: %s needs a value", opt)
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.Errf("rolegate: %s takes one value", opt)
	}
	return nil
}

func durationArg(d *caddyfile.Dispenser, dst *caddy.Duration) error {
	opt, v := d.Val(), ""
	if err := oneArg(d, &v); err != nil {
		return err
	}
	dur, err := caddy.ParseDuration(v)
	if err != nil {
		return d.Errf("rolegate: %s: %v", opt, err)
	}
	*dst = caddy.Duration(dur)
	return nil
}

func someArgs(d *caddyfile.Dispenser, dst *[]string) error {
	opt := d.Val()
	*dst = d.RemainingArgs()
	if len(*dst) == 0 {
		return d.Errf("rolegate: %s needs at least one value", opt)
	}
	return nil
}

// Interface guard
var _ caddyfile.Unmarshaler = (*Handler)(nil)

// unmarshalCaddyfile reads the sign_in { } sub-block.
func (c *SignInConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for d.NextBlock(1) {
		opt := d.Val()
		if seen[opt] && opt != "key" {
			return d.Errf("rolegate: sign_in: option %q given twice", opt)
		}
		seen[opt] = true
		if err := c.unmarshalOption(d, opt); err != nil {
			return err
		}
	}
	switch {
	case c.Issuer == "":
		return d.Err("rolegate: sign_in: issuer is required")
	case c.ClientID == "":
		return d.Err("rolegate: sign_in: client_id is required")
	case len(c.Keys) == 0:
		return d.Err("rolegate: sign_in: at least one key <id> <secret> is required")
	}
	return nil
}

func (c *SignInConfig) unmarshalOption(d *caddyfile.Dispenser, opt string) error {
	texts := map[string]*string{"issuer": &c.Issuer, "client_id": &c.ClientID, "client_secret": &c.ClientSecret,
		"roles_claim": &c.RolesClaim, "user_claim": &c.UserClaim, "redirect_url": &c.RedirectURL,
		"post_logout_url": &c.PostLogoutURL, "path_prefix": &c.PathPrefix, "cookie_name": &c.CookieName}
	lists := map[string]*[]string{"scopes": &c.Scopes, "algorithms": &c.Algorithms}
	flags := map[string]*bool{"userinfo": &c.Userinfo, "insecure_cookies": &c.InsecureCookies, "refresh": &c.Refresh}
	durations := map[string]*caddy.Duration{"lifetime": &c.Lifetime, "idle_timeout": &c.IdleTimeout, "refresh_before": &c.RefreshBefore}
	switch {
	case texts[opt] != nil:
		return oneArg(d, texts[opt])
	case lists[opt] != nil:
		return someArgs(d, lists[opt])
	case flags[opt] != nil:
		*flags[opt] = true
		if d.NextArg() {
			return d.Errf("rolegate: sign_in: %s takes no value", opt)
		}
		return nil
	case durations[opt] != nil:
		return durationArg(d, durations[opt])
	case opt == "key":
		args := d.RemainingArgs()
		if len(args) != 2 {
			return d.Err("rolegate: sign_in: key takes an id and a secret")
		}
		c.Keys = append(c.Keys, SessionKey{ID: args[0], Secret: args[1]})
		return nil
	}
	return d.Errf("rolegate: sign_in: unknown option %q", opt)
}

// unmarshalCaddyfile reads the enrich { } sub-block.
func (c *EnrichConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for d.NextBlock(1) {
		opt := d.Val()
		if seen[opt] && opt != "header" {
			return d.Errf("rolegate: enrich: option %q given twice", opt)
		}
		seen[opt] = true
		var err error
		switch opt {
		case "url":
			err = oneArg(d, &c.URL)
		case "header":
			args := d.RemainingArgs()
			if len(args) != 2 {
				return d.Err("rolegate: enrich: header takes a name and a value")
			}
			if c.Headers == nil {
				c.Headers = http.Header{}
			}
			c.Headers.Add(args[0], args[1])
		case "timeout", "ttl", "negative_ttl":
			err = durationArg(d, map[string]*caddy.Duration{"timeout": &c.Timeout, "ttl": &c.TTL, "negative_ttl": &c.NegativeTTL}[opt])
		case "size":
			var v string
			if err = oneArg(d, &v); err == nil {
				if c.Size, err = strconv.Atoi(v); err != nil || c.Size <= 0 {
					return d.Errf("rolegate: enrich: size %q is not a positive number", v)
				}
			}
		default:
			err = d.Errf("rolegate: enrich: unknown option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	if c.URL == "" {
		return d.Err("rolegate: enrich: url is required")
	}
	return nil
}
