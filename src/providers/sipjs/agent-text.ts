import type { Session } from 'sip.js';
import { VoiceError, describeCause, type AgentData } from '../../core/provider-kit.js';
import { AGENT_INFO_CONTENT_TYPE, agentInfoBody } from '../sip/agent-info.js';

/** One INFO carrying `{"text", "data"}` as Cognigy's SDK sends it; resolves when the far end accepts it. */
export function sendAgentText(session: Session, text: string, data: AgentData | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session
      .info({
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (response) =>
            reject(
              new VoiceError('CALL_FAILED', `The far end refused the text for the agent (${response.message.statusCode}).`, {
                provider: 'sipjs',
                cause: { name: 'SIPResponse', code: response.message.statusCode, message: response.message.reasonPhrase },
              }),
            ),
        },
        requestOptions: { body: { contentDisposition: 'render', contentType: AGENT_INFO_CONTENT_TYPE, content: agentInfoBody(text, data) } },
      })
      .catch((error: unknown) => reject(new VoiceError('CALL_FAILED', 'The text for the agent could not be sent.', { provider: 'sipjs', cause: describeCause(error) })));
  });
}
