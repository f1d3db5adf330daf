package policy

import (
	"encoding/csv"
	"io"
	"strings"
)

// Matrix is the seed-style table of a policy: one row per page and role, one
// column per action kind (execute actions get a column each, named after
// the action), a cell true when the role is granted at least one action of
// that column on that page.
type Matrix struct {
	Columns []string
	Rows    []MatrixRow
}

// MatrixRow is one page x role row of a Matrix.
type MatrixRow struct {
	Page  *PageDef
	Role  *RoleDef
	Cells []bool
}

// Matrix computes the policy's table.
func (p *Policy) Matrix() Matrix {
	cols := p.matrixColumns()
	var m Matrix
	for _, c := range cols {
		m.Columns = append(m.Columns, c.label)
	}
	for _, pg := range p.pages {
		for _, r := range p.roles {
			row := MatrixRow{Page: pg, Role: r, Cells: make([]bool, len(cols))}
			for _, a := range pg.Actions {
				if !a.granted.Has(r.Index) {
					continue
				}
				for i, c := range cols {
					if c.matches(a) {
						row.Cells[i] = true
					}
				}
			}
			m.Rows = append(m.Rows, row)
		}
	}
	return m
}

type matrixColumn struct {
	label, kind, action string
}

func (c matrixColumn) matches(a *ActionDef) bool {
	return a.Kind == c.kind && (c.action == "" || a.Name == c.action)
}

// matrixColumns lists the kinds the policy uses, in Kinds order, then one
// column per distinct execute action name in declaration order.
func (p *Policy) matrixColumns() []matrixColumn {
	var cols []matrixColumn
	for _, k := range Kinds[:len(Kinds)-1] {
		for _, a := range p.actions {
			if a.Kind == k {
				cols = append(cols, matrixColumn{label: k, kind: k})
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, a := range p.actions {
		if a.Kind == "execute" && !seen[a.Name] {
			seen[a.Name] = true
			cols = append(cols, matrixColumn{label: a.Name, kind: "execute", action: a.Name})
		}
	}
	return cols
}

// WriteCSV writes the matrix as CSV: a header "page,role,<columns>", then a
// row per page x role with the page title, the role label and yes/no cells.
func (m Matrix) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(append([]string{"page", "role"}, m.Columns...))
	for _, r := range m.Rows {
		_ = cw.Write(append([]string{r.Page.Title, r.Role.Label()}, yesNo(r.Cells)...))
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes the matrix as a Markdown table.
func (m Matrix) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Page | Role | " + strings.Join(m.Columns, " | ") + " |\n")
	b.WriteString("|---|---|" + strings.Repeat("---|", len(m.Columns)) + "\n")
	for _, r := range m.Rows {
		b.WriteString("| " + mdEscape(r.Page.Title) + " | " + mdEscape(r.Role.Label()) + " | " + strings.Join(yesNo(r.Cells), " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(cells []bool) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = "no"
		if c {
			out[i] = "yes"
		}
	}
	return out
}

func mdEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
