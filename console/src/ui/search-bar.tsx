// A list page's search box; the search is applied on submit, trimmed.
import { useState } from 'react';

export function SearchBar({
  id,
  label,
  placeholder,
  onSearch,
}: {
  id: string;
  label: string;
  placeholder: string;
  onSearch(search: string): void;
}) {
  const [search, setSearch] = useState('');
  return (
    <search>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(search.trim());
        }}
      >
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="search"
          value={search}
          placeholder={placeholder}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button type="submit" className="secondary">
          Search
        </button>
      </form>
    </search>
  );
}
