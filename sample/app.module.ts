import { Module } from '@nestjs/common';
import { MlflowTracingModule } from '../lib';
import { ChatModule } from './chat/chat.module';

/** Tracking URI and experiment come from MLflow's own env vars (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME). */
@Module({
  imports: [
    MlflowTracingModule.forRoot({
      serviceName: 'sample-chat',
      // On by default; a fixed key keeps user pseudonyms stable across restarts.
      masking: { pseudonymKey: process.env.TRACE_PSEUDONYM_KEY },
      http: { exclude: ['/chat/health'] },
    }),
    ChatModule,
  ],
})
export class AppModule {}
