/** The product's name with its prompt mark, as every screen's header shows it. */
export function Brand({
  as: Tag = 'header',
  className = 'web-console__brand',
}: {
  as?: 'header' | 'h1';
  className?: string;
}) {
  return (
    <Tag className={className}>
      <span className="placeholder__prompt" aria-hidden="true">
        &gt;_
      </span>{' '}
      Fleetterm
    </Tag>
  );
}
