/** A platform API call as the REST proxy takes it: path is relative to DISCORD_API_URL. */
export interface RestRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
