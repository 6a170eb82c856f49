import type { Migration } from '@outband/db';

/** Payments, their events, merchants' policies and the billing registers. */
export const paymentsLedger: Migration = {
  name: '007_payments_ledger',
  async up(knex) {
    // The contract database's side of a payment (Fig. 8-9): the card on file, the bank's customer.
    await knex.schema.alterTable('subscribers', (t) => {
      t.string('card_token', 64).nullable();
      t.string('bank_customer_id', 64).nullable().index();
    });
    // Per merchant: when a payment needs a code (Fig. 10) and how its registers are billed.
    await knex.schema.createTable('merchant_policies', (t) => {
      t.string('merchant_id', 64).primary().references('merchants.id');
      t.bigInteger('limit_amount').nullable();
      t.enum('low_value_rule', ['none', 'cumulative_amount', 'count']).notNullable().defaultTo('none');
      t.boolean('authorize_after_check').notNullable().defaultTo(false);
      t.enum('billing_mode', ['amount', 'per_verification']).notNullable().defaultTo('amount');
      t.bigInteger('billing_value').notNullable().defaultTo(0);
      t.string('billing_currency', 3).notNullable().defaultTo('EUR');
      t.integer('service_charge_bps').notNullable().defaultTo(0);
    });
    await knex.schema.createTable('payments', (t) => {
      t.string('id', 40).primary();
      t.string('merchant_id', 64).notNullable().references('merchants.id');
      t.integer('subscriber_id').unsigned().notNullable().references('subscribers.id');
      t.enum('source', ['card', 'contract', 'terminal']).notNullable();
      t.string('terminal_id', 64).nullable();
      t.string('card_token', 64).notNullable();
      t.bigInteger('amount').notNullable();
      t.string('currency', 3).notNullable();
      t.string('payee', 64).notNullable();
      t.text('transaction_json').notNullable();
      t.enum('securing', ['secured', 'normal']).notNullable();
      t.boolean('authorize_after_check').notNullable();
      t.string('state', 16).notNullable();
      t.string('cause', 200).nullable();
      t.string('authorization_id', 64).nullable();
      t.string('verification_id', 40).nullable().unique();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.index(['subscriber_id', 'created_at']);
      t.index(['state', 'updated_at']);
    });
    await knex.schema.createTable('payment_events', (t) => {
      t.bigIncrements('id');
      t.string('payment_id', 40).notNullable().references('payments.id');
      t.string('from_state', 16).nullable();
      t.string('to_state', 16).notNullable();
      t.string('cause', 200).nullable();
      t.datetime('at', { precision: 3 }).notNullable();
      t.index(['payment_id', 'id']);
    });
    // Billing registers (aspects 5-7): append only; the key makes a repeated booking a no-op.
    await knex.schema.createTable('ledger_entries', (t) => {
      t.bigIncrements('id');
      t.enum('register', ['receiver', 'merchant']).notNullable();
      t.string('merchant_id', 64).notNullable();
      t.integer('subscriber_id').unsigned().notNullable();
      t.enum('kind', ['amount', 'duration', 'per_verification']).notNullable();
      t.bigInteger('amount').notNullable();
      t.string('currency', 3).notNullable();
      t.string('payment_id', 40).nullable();
      t.string('verification_id', 40).nullable();
      t.string('idempotency_key', 128).notNullable().unique();
      t.datetime('booked_at', { precision: 3 }).notNullable();
      t.index(['register', 'merchant_id', 'booked_at']);
      t.index(['register', 'subscriber_id', 'booked_at']);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('ledger_entries');
    await knex.schema.dropTable('payment_events');
    await knex.schema.dropTable('payments');
    await knex.schema.dropTable('merchant_policies');
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropColumn('bank_customer_id');
      t.dropColumn('card_token');
    });
  },
};
