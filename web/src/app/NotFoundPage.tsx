import { Link } from "react-router";
import { Empty } from "../components/States";

export default function NotFoundPage() {
  return (
    <Empty title="Page not found">
      <Link to="/">Back to the overview</Link>
    </Empty>
  );
}
