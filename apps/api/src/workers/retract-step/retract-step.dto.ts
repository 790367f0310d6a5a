import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';

export class RetractStepDto {
  @ApiProperty({ type: 'integer', description: 'the stream version at which the step was recorded (its `version` in the timeline)', minimum: 1 })
  @IsInt()
  @Min(1)
  version!: number;
  @ApiProperty({ description: 'why the step is retracted (kept in the log)', minLength: 1, maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
