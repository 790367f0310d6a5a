import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Injectable()
class Greeter {
  greet() {
    return 'hallo';
  }
}

@Controller('ping')
class PingController {
  constructor(private readonly greeter: Greeter) {}
  @Get() ping() {
    return { answer: this.greeter.greet() };
  }
}

@Module({ controllers: [PingController], providers: [Greeter] })
class SmokeModule {}

test('nest 12 on fastify answers over real HTTP with constructor injection', async () => {
  const app = await NestFactory.create<NestFastifyApplication>(SmokeModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const res = await fetch(`${await app.getUrl()}/ping`);
  expect(await res.json()).toEqual({ answer: 'hallo' });
  await app.close();
});
