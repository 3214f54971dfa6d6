/** `@aws-appsync/utils/dynamodb` request builders (docs/dynamodb.md#request-objects-in-detail). */
import { describe, expect, it } from 'vitest';
import * as ddb from '../../../../src/resolvers/guest/modules/dynamodb.js';

describe('@aws-appsync/utils/dynamodb', () => {
  it('get: key as typed values, projection as an expression', () => {
    expect(ddb.get({ key: { id: '1' }, projection: ['id', 'author.name'] })).toEqual({
      operation: 'GetItem',
      key: { id: { S: '1' } },
      projection: { expression: '#id, #author.#name', expressionNames: { '#id': 'id', '#author': 'author', '#name': 'name' } },
    });
  });

  it('put: attributeValues from the item, condition rendered like toDynamoDBConditionExpression', () => {
    expect(ddb.put({ key: { id: '1' }, item: { n: 2, tags: ddb.toStringSet(['a']) }, condition: { id: { attributeExists: false } } })).toEqual({
      operation: 'PutItem',
      key: { id: { S: '1' } },
      attributeValues: { n: { N: 2 }, tags: { SS: ['a'] } },
      condition: { expression: '(attribute_not_exists(#id))', expressionNames: { '#id': 'id' }, expressionValues: {} },
    });
  });

  it('update: every operation renders to one update expression', () => {
    const { operations: op } = ddb;
    const request = ddb.update({
      key: { id: '1' },
      update: {
        title: 'T',
        views: op.increment(2),
        stock: op.decrement(),
        likes: op.add(1),
        tags: op.append(['x']),
        history: op.prepend(['y']),
        old: op.remove(),
        meta: { color: 'red' },
        whole: op.replace({ a: 1 }),
        items: [op.updateListItem('z', 3)],
      },
    }) as { update: { expression: string; expressionValues: Record<string, unknown> } };
    expect(request.update.expression).toBe(
      'SET #title = :title, #views = #views + :views, #stock = #stock - :stock, #tags = list_append(#tags, :tags), #history = list_append(:history, #history), #meta.#color = :meta_color, #whole = :whole, #items[3] = :items_3 ADD #likes :likes REMOVE #old',
    );
    expect(request.update.expressionValues).toMatchObject({
      ':views': { N: 2 },
      ':stock': { N: 1 },
      ':likes': { N: 1 },
      ':meta_color': { S: 'red' },
      ':items_3': { S: 'z' },
    });
  });

  it('query: the key condition and filter render as expressions', () => {
    expect(
      ddb.query({ query: { city: { eq: 'Lisbon' }, startsAt: { beginsWith: '2030' } }, index: 'byCity', limit: 10, filter: { seats: { gt: 0 } } }),
    ).toEqual({
      operation: 'Query',
      query: {
        expression: '(#city = :city_eq) AND (begins_with(#startsAt,:startsAt_beginsWith))',
        expressionNames: { '#city': 'city', '#startsAt': 'startsAt' },
        expressionValues: { ':city_eq': { S: 'Lisbon' }, ':startsAt_beginsWith': { S: '2030' } },
      },
      index: 'byCity',
      limit: 10,
      filter: { expression: '(#seats > :seats_gt)', expressionNames: { '#seats': 'seats' }, expressionValues: { ':seats_gt': { N: 0 } } },
    });
  });

  it('transactWrite maps putItem/updateItem/deleteItem/conditionCheck to operations', () => {
    const request = ddb.transactWrite({
      items: [
        { putItem: { table: 't', key: { id: 'a' }, item: { n: 1 } } },
        { deleteItem: { table: 't', key: { id: 'b' } } },
        { conditionCheck: { table: 't', key: { id: 'c' }, condition: { n: { eq: 1 } }, returnValuesOnConditionCheckFailure: false } },
      ],
    });
    expect(request.transactItems.map((i: { operation?: unknown }) => i.operation)).toEqual(['PutItem', 'DeleteItem', 'ConditionCheck']);
    expect(request.transactItems[2]).toMatchObject({ condition: { expression: '(#n = :n_eq)', returnValuesOnConditionCheckFailure: false } });
  });
});
