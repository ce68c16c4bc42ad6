package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// apiClient calls a visitarchive server's API as one user: with the
// session of a sign-in (its cookie and CSRF token) or with an API token.
type apiClient struct {
	base  string
	hc    *http.Client
	csrf  string // with a session
	token string // with an API token
}

// transport is shared by every client of the write step. It keeps a
// connection per client alive, as browsers and scripts do: Go's default
// of two idle connections per host would make most of 32 clients open
// a new connection for every request.
var transport = &http.Transport{
	MaxIdleConns:        256,
	MaxIdleConnsPerHost: 256,
	IdleConnTimeout:     90 * time.Second,
	DisableCompression:  true,
}

// withToken returns a client that sends token.
func withToken(base, token string) *apiClient {
	return &apiClient{base: base, token: token, hc: &http.Client{Transport: transport, Timeout: 2 * time.Minute}}
}

// call sends method path with body, JSON already encoded (none when nil),
// and decodes the answer into out unless out is nil. An answer other than
// want is an error that quotes the answer.
func (c *apiClient) call(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return fmt.Errorf("%s %s: %s, want %d: %s", method, path, resp.Status, want, bytes.TrimSpace(msg))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body) // so that the connection is reused
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// callJSON is call with v encoded as the body.
func (c *apiClient) callJSON(ctx context.Context, method, path string, v any, want int, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.call(ctx, method, path, body, want, out)
}

// signIn signs user in as a browser does, and says whether the password
// must be changed first.
func signIn(ctx context.Context, base string, user va.UserName, password string) (*apiClient, bool, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, false, err
	}
	c := &apiClient{base: base, hc: &http.Client{Transport: transport, Jar: jar, Timeout: time.Minute}}
	var login struct {
		CSRF string `json:"csrf_token"`
		User struct {
			MustChange bool `json:"must_change_password"`
		} `json:"user"`
	}
	err = c.callJSON(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"user": string(user), "password": password}, http.StatusOK, &login)
	if err != nil {
		return nil, false, fmt.Errorf("sign in as %s: %w", user, err)
	}
	c.csrf = login.CSRF
	return c, login.User.MustChange, nil
}

// userToken does what a new user does before writing from a script:
// signs in with the password the administrator set, changes it (PUT
// /auth/password), signs in again and makes a personal API token. It
// returns the token and the session it signed in with (as a browser has).
func userToken(ctx context.Context, base string, user va.UserName, password string) (string, *apiClient, error) {
	c, mustChange, err := signIn(ctx, base, user, password)
	if err != nil {
		return "", nil, err
	}
	if mustChange {
		changed := password + "-own"
		err := c.callJSON(ctx, http.MethodPut, "/api/v1/auth/password",
			map[string]string{"old_password": password, "new_password": changed}, http.StatusOK, nil)
		if err != nil {
			return "", nil, fmt.Errorf("change the password of %s: %w", user, err)
		}
		if c, _, err = signIn(ctx, base, user, changed); err != nil {
			return "", nil, err
		}
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := c.callJSON(ctx, http.MethodPost, "/api/v1/auth/tokens", map[string]string{"name": "visitarchive-bench"}, http.StatusCreated, &tok); err != nil {
		return "", nil, fmt.Errorf("make an API token for %s: %w", user, err)
	}
	return tok.Token, c, nil
}

// page gets the page at path as a browser does, with the session's
// cookie, and returns the size of its HTML.
func (c *apiClient) page(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return int(n), err
}

// searchPath is the GET /api/v1/search request that asks q. Its
// parameters are those of server.searchQuery; TestSearchPathCoversQueries
// fails when the query set sets a field that this leaves out.
func searchPath(q va.SearchQuery) string {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("q", q.Text)
	set("customer", string(q.CustomerID))
	set("customer_type", q.CustomerType)
	set("business_area", q.BusinessArea)
	set("department", string(q.Department))
	set("visitor", string(q.Visitor))
	set("intent", q.Intent)
	set("country", q.Country)
	set("sort", q.Sort)
	if !q.From.IsZero() {
		v.Set("from", q.From.Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.Format(time.RFC3339))
	}
	if q.Page > 0 {
		v.Set("page", fmt.Sprint(q.Page))
	}
	if q.Size > 0 {
		v.Set("size", fmt.Sprint(q.Size))
	}
	return "/api/v1/search?" + v.Encode()
}
