package io.taxiplatform.model;

import java.util.Objects;

/**
 * Why a trip event value was rejected (dead-lettered).
 *
 * @param reason the first failing rule of the validation table in docs/contracts.md
 * @param detail human-readable detail: the field name for {@code missing_field}/{@code
 *     invalid_field}, {@code field=value} for range rules
 */
public record Rejection(RejectReason reason, String detail) implements ParseResult {

  public Rejection {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }
}
