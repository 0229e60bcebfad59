// Before routing: a path whose percent-encoding does not decode (`/clusters/%ZZ`, invalid UTF-8)
// is a 400 with the reason. Next answers those with a 500, because the error page it renders for
// them exists only in the Pages Router.
import { type NextRequest, NextResponse } from "next/server";

export function proxy(request: NextRequest) {
  try {
    decodeURIComponent(request.nextUrl.pathname);
    return NextResponse.next();
  } catch {
    return NextResponse.json(
      { error: "the path is not valid percent-encoded UTF-8" },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
}

// Only paths with a dynamic segment decode one; only a path with a "%" can fail to.
export const config = {
  matcher: ["/clusters/:path+", "/workloads/:path+", "/api/export/:path*", "/api/trpc/:path*"],
};
