// A table that renders only the rows in view, so that 10,000 executions or
// 25,000 history events scroll without delay. Rows have one fixed height.
import { useState, type ReactNode } from "react";

const ROW = 28;

export function VirtualTable<T>({ rows, columns, height = 480, rowKey, testId }: {
  rows: T[];
  columns: { title: string; width?: string; cell: (row: T) => ReactNode }[];
  height?: number;
  rowKey: (row: T) => string | number;
  testId?: string;
}) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW) - 10);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW) + 10);
  const template = columns.map((c) => c.width ?? "1fr").join(" ");
  return (
    <div className="vtable" data-testid={testId} data-rows={rows.length}>
      <div className="vrow vhead" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => <div key={c.title}>{c.title}</div>)}
      </div>
      <div className="vbody" style={{ height: Math.min(height, rows.length * ROW + 2) }}
        onScroll={(e) => setTop(e.currentTarget.scrollTop)} tabIndex={0}>
        <div style={{ height: rows.length * ROW, position: "relative" }}>
          {rows.slice(first, last).map((row, i) => (
            <div key={rowKey(row)} className="vrow" role="row"
              style={{ gridTemplateColumns: template, position: "absolute", top: (first + i) * ROW, height: ROW }}>
              {columns.map((c) => <div key={c.title} className="vcell">{c.cell(row)}</div>)}
            </div>
          ))}
        </div>
      </div>
      {rows.length === 0 && <div className="muted">Nothing here.</div>}
    </div>
  );
}
