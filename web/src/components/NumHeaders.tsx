/** Column headers of numeric columns: right-aligned, as their cells (`td.num`) are. */
export function NumHeaders({ labels }: { labels: readonly string[] }) {
  return (
    <>
      {labels.map((label) => (
        <th key={label} scope="col" className="num">
          {label}
        </th>
      ))}
    </>
  );
}
